"""The evaluation engine: catalog rules over the annotated graph -> checklist and findings.

`trustmap.engine.evaluate.evaluate` is the entry point. This package imports nothing itself,
so that graph rules (`trustmap.rules`) can use `trustmap.engine.context` without a cycle.
"""
