"""Tests of the offline understanding parts."""
