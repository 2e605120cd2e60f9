"""The evaluation engine: catalog rules over the annotated graph -> checklist and findings.

`trustmap.engine.evaluate.evaluate` is the entry point. The graph rules (`trustmap.engine.rules`)
are part of the engine: they read `trustmap.engine.context` and the evaluator runs them. This
package imports nothing itself, so that importing one module does not load them all.
"""
