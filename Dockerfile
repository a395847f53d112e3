# modq: one image for the web service and the worker (another command).
#   docker build -t modq .
#   docker run -e MODQ_OWNER_TOKEN=... -e MODQ_REDIS_URL=redis://redis:6379/0 -p 8000:8000 modq
#   docker run -e ... modq modq worker
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MODQ_VAR_DIR=/var/lib/modq \
    MODQ_MODEL_DIR=/opt/modq/models

RUN useradd --system --create-home --home-dir /home/modq modq \
 && mkdir -p /var/lib/modq /opt/modq/models \
 && chown modq:modq /var/lib/modq

WORKDIR /opt/modq/src
COPY pyproject.toml README.md ./
COPY classifier ./classifier
COPY service ./service
COPY worker ./worker
RUN pip install .

# The default model is trained at build time from the corpora shipped in the repo,
# so a container starts scoring at once. Retrained models go to the same volume.
RUN modq train --no-owner-labels && chown -R modq:modq /opt/modq/models

USER modq
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["modq", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
