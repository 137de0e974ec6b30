"""Reading uploads and deciding what each column is for."""

from segkit.io.prepare import UserTable, prepare_users
from segkit.io.read import LoadedTable, read_table
from segkit.io.roles import ColumnRoles, infer_roles, validate_roles

__all__ = [
    "ColumnRoles",
    "LoadedTable",
    "UserTable",
    "infer_roles",
    "prepare_users",
    "read_table",
    "validate_roles",
]
