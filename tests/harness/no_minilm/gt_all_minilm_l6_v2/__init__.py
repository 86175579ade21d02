"""Stands in for the bundled MiniLM package in the fast test tier (``make test-fast``).

``tests/conftest.py`` puts this folder first on ``sys.path`` and ``PYTHONPATH`` when
``VRDNDI_TESTS_NO_MINILM=1``, so every attempt to load the real language model (the only way
is ``resolve_model_path('bundled:all-MiniLM-L6-v2')``, which imports this package) fails, in
the test process and in any process it starts. A test that needs MiniLM is marked ``slow``.
"""

raise ImportError(
    "the fast test tier (VRDNDI_TESTS_NO_MINILM=1) must not load the bundled MiniLM: use the "
    "tiny backbone (tests/harness/model_support.py, fixtures tiny_backbone / tiny_config) or "
    "mark the test slow"
)
