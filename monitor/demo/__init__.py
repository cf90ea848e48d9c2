"""Offline demo: sample feeds written for the project, served on 127.0.0.1, run through the real pipeline."""
