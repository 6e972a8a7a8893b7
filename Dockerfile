# ozbot: one image for every connector (`ozbot run telegram`, `ozbot run slack`).
# The image holds the concert bot in /bot; mount your own bot folder there instead, or build
# an image `FROM ozbot:latest` that puts it there (README: "Your own bot").
# Exports are written to /bot/stories/exported (a volume in docker-compose.yml).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY connectors connectors
COPY nlu nlu
COPY policy policy
COPY rasa_actions rasa_actions
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# libgomp1: LightGBM's OpenMP runtime, the one system library the wheels need; graphviz:
# its `dot` draws /graph's pictures.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 graphviz \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 ozbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /bot
COPY --chown=ozbot:ozbot domain.yml config.yml actions.py ./
COPY --chown=ozbot:ozbot stories stories
RUN mkdir -p models stories/exported && chown ozbot:ozbot models stories/exported
USER ozbot
ENV PYTHONUNBUFFERED=1 OZBOT_HOST=0.0.0.0 OZBOT_PORT=8080
EXPOSE 8080
# `ozbot run` answers SIGTERM by finishing the turns in flight; give it the time to.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3)"]
ENTRYPOINT ["ozbot"]
CMD ["--log-json", "run"]
