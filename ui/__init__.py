"""Shared UI helpers for the pages (layout only: every number comes from analytics)."""
