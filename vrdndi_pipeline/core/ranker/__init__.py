"""The ranker family: a gradient-boosted tree for "good time now" and a logistic interest head,
both on frozen features (sentence embeddings computed once, context features of the moment).

Modules: :mod:`.moment_features` (the one function for training and serving),
:mod:`.config`, :mod:`.feature_matrix`, :mod:`.tree_scoring` (LightGBM's text model scored
with numpy), :mod:`.model` (fit, predict, save, load; no pickle).
"""
