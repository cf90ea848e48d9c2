"""The verification queue: story grouping (dedup, aggregate), priorities, the workflow, acting on a case
(service) and what the edges show and accept (views, inputs). The stage that fills it is pipeline/queue.py."""
