"""Choosing the champion: every candidate family and the context-free baseline on the same
rolling-origin folds, scored with bootstrap intervals, and the rule that moves the alias."""
