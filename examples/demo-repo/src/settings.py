"""Settings for the demo service.

Every credential below is FAKE (random characters in each provider's documented format),
planted for tollgate's secret scanner to find. Real settings come from the environment.
"""

import os

DEBUG = os.environ.get("DEBUG", "0") == "1"
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///demo.db")

# Planted: an AWS access key pair committed in source.
AWS_ACCESS_KEY_ID = "AKIAODZDOCIS2JHTLGMX"
AWS_SECRET_ACCESS_KEY = "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"

# Planted: a GitHub personal access token (classic) with a valid CRC32 checksum.
GITHUB_TOKEN = "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"
