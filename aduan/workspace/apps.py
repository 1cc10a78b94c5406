from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "aduan.workspace"
    label = "workspace"
