"""A fictional municipality for trying Värna out and for the tests."""
