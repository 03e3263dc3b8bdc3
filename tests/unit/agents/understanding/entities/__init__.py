"""Tests of the offline entity extractor."""
