"""The composition root of ``python -m core``: the product's commands plus training's train and eval."""
import sys

from .cli import main
from .ml.training import cli as training_cli

sys.exit(main(register_training=training_cli.register))
