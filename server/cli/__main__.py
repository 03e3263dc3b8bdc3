"""`python -m server.cli` runs the `frontdesk` command."""

from server.cli import main

main()
