"""`python -m optimizer.jurisdictions`: the labour-rule table (Markdown) for the docs."""

from optimizer.jurisdictions import markdown_table

print(markdown_table(), end="")
