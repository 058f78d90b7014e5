# kube-quantities: the HTTP API under gunicorn, as a non-root user, runtime dependencies only.
# The base is pinned by version, the dependencies by version and hash (requirements.lock).
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8080

WORKDIR /app
RUN groupadd --system --gid 10001 kq \
    && useradd --system --uid 10001 --gid kq --home-dir /app --shell /usr/sbin/nologin kq

COPY requirements.lock pyproject.toml README.md ./
COPY quantities ./quantities
COPY api ./api
RUN pip install --no-cache-dir --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --no-deps .

# Numeric, so that Kubernetes can check runAsNonRoot.
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=2)"]
ENTRYPOINT ["gunicorn", "--config", "api/gunicorn.conf.py", "api.wsgi:app"]
