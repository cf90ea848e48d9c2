"""The queue stage: stories (near-duplicate grouping), cases, the verification workflow, priorities."""
