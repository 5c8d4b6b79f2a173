"""Checks that run before anything is published: who may publish, and what may be."""
