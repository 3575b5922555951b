"""Helpers shared by the tests: database setup, a live server, a Collect-like client."""
