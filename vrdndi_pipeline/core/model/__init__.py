"""vrdndi's LoRA model: `HybridProductiveModel` (`hybrid_model.py`) and its parts (`backbone.py`,
`context_compressor.py`, `context_encoder.py`, `heads.py`, `late_fusion.py`), its configuration
(`config.py`, `config_checks.py`, `presets.py`), the one adapter-folder reader and writer
(`adapter_files.py`), and inference (`inference.py`, `late_inference.py`, `prediction.py`).
Training it is `core/training/`. Import from the modules; importing this package loads nothing.
"""
