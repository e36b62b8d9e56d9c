"""Run a Huey consumer of one queue: ``manage.py run_worker --queue light`` or ``--queue analysis``.

light: messages, reminders, feedback, webhooks, privacy jobs and every periodic task (``run_huey`` serves the same
queue). analysis: media analysis only; its processes are the only ones that load the speech and face models, and
they free them after ANALYSIS_IDLE_UNLOAD_S seconds without an analysis. Run as many processes of each as the
machine allows (systemd units, Compose and Kubernetes manifests in deploy/); each process sweeps what a killed
worker left behind and reports its heartbeat for /healthz and /metrics.

Options are djhuey's ``run_huey`` ones (``-w`` workers, ``-k thread|process``, ``-d`` polling delay ...); without
them each queue takes its settings (HIRELENS_HUEY_WORKERS / _WORKER_TYPE, HIRELENS_HUEY_ANALYSIS_WORKERS /
_WORKER_TYPE)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

from hirelens.core.jobs import QUEUE_SETTINGS, QUEUES


class Command(RunHuey):
    help = "Run the Huey consumer of one queue (light or analysis)."

    def add_arguments(self, parser):
        parser.add_argument("--queue", required=True, choices=sorted(QUEUES), help="which queue this process serves")
        super().add_arguments(parser)

    def handle(self, *args, queue, **options):
        huey = QUEUES[queue]
        if huey.immediate:
            raise CommandError("HIRELENS_HUEY_IMMEDIATE is on: tasks run inline, there is nothing for a worker to do")
        consumer_options = dict(getattr(settings, QUEUE_SETTINGS[queue]).get("consumer", {}))
        consumer_options.update({key: value for key, value in options.items()
                                 if value is not None and key in ConsumerConfig._fields})
        consumer_options["verbose"] = options.get("huey_verbose")
        if not options.get("disable_autoload"):
            autodiscover_modules("tasks")  # every queue's tasks: messages name tasks by module path
        from hirelens.core.metrics import TASKS_DONE, process_role_set

        process_role_set(f"worker-{queue}")

        @huey.post_execute("metrics")
        def tasks_count(task, value, exc):
            TASKS_DONE.labels(queue, "ok" if exc is None else "error").inc()

        if queue == "analysis" and settings.ANALYSIS_IDLE_UNLOAD_S > 0:
            from hirelens.core.jobs import IdleRelease, idle_releases

            for release in idle_releases("analysis"):  # the analysis models (interviews registers it)
                IdleRelease(huey, release, idle_s=settings.ANALYSIS_IDLE_UNLOAD_S).install()
        config = ConsumerConfig(**consumer_options)
        config.validate()
        logger = logging.getLogger("huey")
        if not logger.handlers:
            config.setup_logger(logger)
        if queue == "analysis":
            config = config._replace(periodic=False)  # periodic tasks are the light queue's
        huey.create_consumer(**config.values).run()
