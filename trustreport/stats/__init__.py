"""Pure statistical functions on numbers (docs/methods.md §1, §2, §5): intervals, tests, small-number rules and
multiple-comparison adjustment. Nothing here reads a counts table; every function is golden-tested."""
