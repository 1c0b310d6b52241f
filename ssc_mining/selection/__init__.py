"""Which tickets a report or the explorer looks at: the filter language (:mod:`ssc_mining.selection.filters`).

It sits after the analysers (a ``finding=`` filter asks one) and before the report and the explorer.
"""
