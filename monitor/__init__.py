"""monitor — public-opinion monitoring pipeline for Vietnamese press.

Importing this package does no work: no model loading, no database connection, no network.
Data flows one way: sources → fetch → parse/extract → nlp → store → queue → digest;
`cli` and `web` are thin edges, `scheduler` is wiring.
"""

__version__ = "0.1.0"
