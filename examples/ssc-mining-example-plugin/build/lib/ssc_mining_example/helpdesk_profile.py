"""A loader profile for the public Italian help-desk export (Case ID, Activity, Resource, Complete Timestamp).

It recognises the export by its columns and fixes the mapping, so nobody has to type it.

Example:
    >>> import numpy as np, pandas as pd
    >>> from ssc_mining.loaders.raw import RawTable
    >>> raw = RawTable(pd.DataFrame(columns=["Case ID", "Activity", "Resource", "Complete Timestamp",
    ...                                      "seriousness_2", "workgroup"]), np.array([]), reader="csv")
    >>> ItalianHelpdesk().detect(raw) is not None
    True
"""

from __future__ import annotations

from ssc_mining import Profile, ProfiledTable


class ItalianHelpdesk(Profile):
    """Help-desk ticket export of an Italian software company (one row per event)."""

    name = "helpdesk-it"
    description = "Help-desk export with Case ID, Activity, Resource, Complete Timestamp, workgroup, seriousness_2."
    REQUIRED = ("Case ID", "Activity", "Resource", "Complete Timestamp", "seriousness_2", "workgroup")

    def detect(self, raw):
        if all(c in raw.frame.columns for c in self.REQUIRED):
            return "columns Case ID, Complete Timestamp, seriousness_2 and workgroup look like the help-desk export"
        return None

    def to_events(self, raw, spec):
        mapping = {"case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp",
                   "resource": "Resource", "team": "workgroup", "mother": "customer", "category": "product",
                   "priority": "seriousness_2"}
        mapping = {role: col for role, col in mapping.items() if col in raw.frame.columns}
        return ProfiledTable(raw=raw, mapping=mapping, timestamp_format="%Y/%m/%d %H:%M:%S",
                             notes=["read with the helpdesk-it profile of ssc-mining-example-plugin"])
