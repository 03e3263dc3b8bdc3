"""The business systems: ports, their SQL implementation, the playbook and the clock."""

__all__: list[str] = []
