"""Templates (`optimizer.solve.templates`): each site's shifts over the
horizon's local dates, of the rule set's shift types only."""

from __future__ import annotations

from optimizer.bench.curtois.adapter import to_scenario
from optimizer.bench.curtois.parse import parse_instance
from optimizer.solve.problem import build_problem
from tests.bench.paths import TINY


def test_each_template_has_the_shift_type_of_its_start_and_length():
    # the tiny instance: D at 00:00 and N at 01:00, 8 h each; the second contract may
    # work no N (max_shifts 0), so its site offers D only
    sc = to_scenario(parse_instance(TINY))
    p = build_problem(sc)
    offered = []
    for site, st in zip(sc.sites, p.sites, strict=True):
        rules, tpl = sc.rules_of(site), st.tpl
        for k in range(len(tpl.day)):
            kind = int(tpl.shift_type[k])
            assert kind == rules.type_of(int(tpl.local_start[k]), int(tpl.paid[k])) >= 0
        offered.append(sorted({rules.shift_types[int(t)].id for t in tpl.shift_type}))
        assert len(tpl.day) == len(sc.horizon.dates()) * len(offered[-1])  # one a day each
    assert offered == [["D", "N"], ["D"]]
