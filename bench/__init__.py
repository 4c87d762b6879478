"""`make bench`: the speed of the product at scale, measured as interleaved A/B pairs.

Not part of the product: nothing under platform/, backoffice/ or public_api/ imports it, and its
settings module (bench.settings) is the only place its extra URL (a constant JSON view, the
baseline of the HTTP rows) is ever enabled.
"""
