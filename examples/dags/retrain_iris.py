"""Retrains the iris classifier (serving.models[].retrainDag: retrain_iris)."""
from mlops_pipeline import build_retrain_dag

dag = build_retrain_dag("iris", trainer_image="ghcr.io/example-org/iris-trainer:1.0.0")
