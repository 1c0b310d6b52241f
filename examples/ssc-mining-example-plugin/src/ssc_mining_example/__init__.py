"""Example ssc_mining plugin: an analyser, a loader profile and a preset."""
