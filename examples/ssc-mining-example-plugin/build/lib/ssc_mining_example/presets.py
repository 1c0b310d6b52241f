"""A report preset: the analysers a consultant runs first, with their parameters.

Example:
    >>> FIRST_LOOK.analysers["first_time_right"]
    {'max_teams': 2}
"""

from ssc_mining import Preset

FIRST_LOOK = Preset("first-look", "Throughput, variants and first-time-right (two teams allowed).",
                    {"throughput": {}, "variants": {"top": 5}, "first_time_right": {"max_teams": 2}})
