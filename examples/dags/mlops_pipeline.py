"""The retraining pipeline of a served model, in the form mlops-gitops supports.

One DAG per model (retrain_<model>.py builds it): wait for new training data
in the landing prefix, train (on a GPU pool when the environment has one),
track and register the model in MLflow, roll it out to serving, and e-mail on
failure. Everything environment-specific comes from what the platform gives
every Airflow pod (README, "Airflow"):

- the connection ``object_store`` (MinIO or S3) and ``MLOPS_LANDING_URI``;
- ``MLFLOW_TRACKING_URI``;
- ``MLOPS_GPU_PLACEMENT`` (the GPU pool's selector, tolerations, resources),
  when the environment has a GPU pool;
- ``MLOPS_MODELS``: each served model's handle and its rollout contract.

The alert bridge starts a DAG with the alert's labels as ``conf``; a run
started by hand or by its schedule works the same.
"""
from __future__ import annotations

import json
import os
from datetime import timedelta

from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, task
from kubernetes.client import models as k8s

OBJECT_STORE_CONN_ID = "object_store"


def _models() -> dict:
    return {m["name"]: m for m in json.loads(os.environ.get("MLOPS_MODELS", "[]"))}


def _gpu_placement() -> dict | None:
    raw = os.environ.get("MLOPS_GPU_PLACEMENT")
    return json.loads(raw) if raw else None


def _split(uri: str) -> tuple[str, str]:
    """s3://bucket/prefix -> (bucket, prefix)."""
    rest = uri.removeprefix("s3://")
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix


def _training_pod_kwargs() -> dict:
    """The training pod's placement: the GPU pool's, or none (a CPU node)."""
    placement = _gpu_placement()
    if not placement:
        return {}
    return {
        "node_selector": placement["nodeSelector"],
        "tolerations": [k8s.V1Toleration(**t) for t in placement["tolerations"]],
        "container_resources": k8s.V1ResourceRequirements(
            requests=placement["resources"]["requests"], limits=placement["resources"]["limits"]
        ),
        "annotations": placement.get("annotations", {}),
        "priority_class_name": placement.get("priorityClassName"),
    }


def build_retrain_dag(model: str, trainer_image: str, alert_email: str | None = None) -> DAG:
    """The retraining DAG of ``model``; its id is ``retrain_<model>``."""
    landing_bucket, landing_prefix = _split(os.environ.get("MLOPS_LANDING_URI", "s3://airflow/landing/"))
    with DAG(
        dag_id=f"retrain_{model}",
        schedule=None,
        catchup=False,
        max_active_runs=1,
        # Started by the alert bridge: a new DAG must not wait for a person to unpause it.
        is_paused_upon_creation=False,
        tags=["mlops-gitops", "retrain", model],
        default_args={
            "retries": 1,
            "retry_delay": timedelta(minutes=5),
            "email_on_failure": alert_email is not None,
            "email": [alert_email] if alert_email else [],
        },
        params={"model": model},
    ) as dag:
        wait_for_data = S3KeySensor(
            task_id="wait_for_data",
            aws_conn_id=OBJECT_STORE_CONN_ID,
            bucket_name=landing_bucket,
            bucket_key=f"{landing_prefix}{model}/*.csv",
            wildcard_match=True,
            mode="reschedule",
            poke_interval=300,
            timeout=6 * 3600,
        )

        train = KubernetesPodOperator(
            task_id="train",
            name=f"train-{model}",
            image=trainer_image,
            cmds=["python", "-m", "trainer"],
            arguments=["--model", model, "--data", f"s3://{landing_bucket}/{landing_prefix}{model}/"],
            env_vars={
                "MLFLOW_TRACKING_URI": os.environ.get("MLFLOW_TRACKING_URI", ""),
                "MLFLOW_EXPERIMENT_NAME": model,
                # The run that started it (an alert's labels, for example).
                "MLOPS_TRIGGER": "{{ dag_run.conf | tojson }}",
            },
            # The trainer logs the model to MLflow and writes {"model_uri": ..., "run_id": ...} to /airflow/xcom/return.json.
            do_xcom_push=True,
            get_logs=True,
            on_finish_action="delete_succeeded_pod",
            **_training_pod_kwargs(),
        )

        @task
        def register(trained: dict) -> dict:
            """Registers the logged model as a new version in MLflow's registry (its REST API)."""
            import requests

            base = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
            requests.post(f"{base}/api/2.0/mlflow/registered-models/create", json={"name": model}, timeout=30)
            reply = requests.post(
                f"{base}/api/2.0/mlflow/model-versions/create",
                json={"name": model, "source": trained["model_uri"], "run_id": trained["run_id"]},
                timeout=30,
            )
            reply.raise_for_status()
            version = reply.json()["model_version"]
            return {"version": version["version"], "storage_uri": trained["model_uri"]}

        @task
        def promote(registered: dict) -> None:
            """Rolls the new version out through the serving contract (README, "The retrain contract")."""
            from kubernetes import client, config

            contract = _models()[model]["rollout"]
            config.load_incluster_config()
            uri = registered["storage_uri"]
            if contract["kind"] == "InferenceService":
                api = client.CustomObjectsApi()
                for name in contract["names"]:
                    api.patch_namespaced_custom_object(
                        "serving.kserve.io", "v1beta1", contract["namespace"], "inferenceservices", name,
                        {"spec": {"predictor": {"model": {"storageUri": uri}}}},
                    )
            else:
                apps = client.AppsV1Api()
                for name in contract["names"]:
                    apps.patch_namespaced_deployment(
                        name, contract["namespace"],
                        {"spec": {"template": {"metadata": {"annotations": {"mlops-gitops.dev/model-uri": uri}}}}},
                    )

        promote(register(train.output))
        wait_for_data >> train
    return dag
