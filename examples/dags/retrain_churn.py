"""Retrains the churn model (serving.models[].retrainDag: retrain_churn)."""
from mlops_pipeline import build_retrain_dag

dag = build_retrain_dag("churn", trainer_image="ghcr.io/example-org/churn-trainer:1.0.0", alert_email="platform-team@example.com")
