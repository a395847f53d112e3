# modq: one image for the web service, the workers and one-off commands.
#   docker build -t modq .
#   docker compose up -d                 (web, workers, Redis, PostgreSQL: see compose.yaml)
#   docker run ... modq                  (the web service: gunicorn on :8000)
#   docker run ... modq modq worker      (a scoring worker)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MODQ_VAR_DIR=/var/lib/modq \
    MODQ_MODEL_DIR=/opt/modq/models

RUN useradd --system --create-home --home-dir /home/modq modq \
 && mkdir -p /var/lib/modq /opt/modq/models \
 && chown modq:modq /var/lib/modq /opt/modq/models

WORKDIR /opt/modq/src

# Dependencies first, read from pyproject.toml, in their own layer: editing modq's code
# does not reinstall scikit-learn.
COPY pyproject.toml README.md ./
RUN python -c "import subprocess, sys, tomllib; \
deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
subprocess.check_call([sys.executable, '-m', 'pip', 'install', *deps])"

COPY classifier ./classifier
COPY service ./service
COPY worker ./worker
RUN pip install --no-deps .

# The default model is trained at build time from the corpora shipped in the repo, so a
# container scores at once. A named volume mounted on /opt/modq/models starts as a copy
# of this directory; models trained later (`modq train`) are kept there.
USER modq
RUN modq train --no-owner-labels

EXPOSE 8000
# Liveness only (the process answers); /readyz is for load balancers. Workers answer no
# HTTP: compose.yaml gives them `modq worker --healthcheck` instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3).status != 200)"]
CMD ["modq", "serve", "--host", "0.0.0.0", "--port", "8000"]
