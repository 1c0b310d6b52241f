"""``ssc-mining serve``: a local explorer of one log, in the browser, offline.

:mod:`ssc_mining.serve.explorer` holds the selection and every view's figures (no web code; tested and
benchmarked on its own); :mod:`ssc_mining.serve.app` is the Dash app that shows them. See docs/explore.md.
"""
