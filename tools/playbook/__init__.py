"""The playbook: one YAML file that is one business. Load it with `load_playbook`."""

from tools.playbook.loader import PlaybookInvalid, PlaybookProblem, load_playbook, parse_playbook
from tools.playbook.model import Playbook

__all__ = ["Playbook", "PlaybookInvalid", "PlaybookProblem", "load_playbook", "parse_playbook"]
