# Ingest: one job per raw file. Outputs keep identifiers, so they live under private/.


rule ingest_interview:
    input:
        raw=interview_file,
        roster=private_roster,
        code=library_code("ingest"),
    output:
        "private/ingest/interviews/{stem}.parquet",
    log:
        "logs/ingest/interviews/{stem}.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        limits=config["limits"],
    script:
        "../../scripts/ingest_interview.py"


rule ingest_page:
    input:
        raw=page_file,
        manifest=page_manifest,
        code=library_code("ingest"),
    output:
        "private/ingest/pages/{stem}.parquet",
    log:
        "logs/ingest/pages/{stem}.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        excluded=config["ingest"]["excluded_pages"],
        limits=config["limits"],
    script:
        "../../scripts/ingest_page.py"


rule ingest_posts:
    input:
        raw=posts_file,
        code=library_code("ingest"),
    output:
        "private/ingest/posts/{stem}.parquet",
    log:
        "logs/ingest/posts/{stem}.log",
    conda:
        "../envs/gtflow.yaml"
    threads: cores_for_input
    params:
        fields=post_fields,
        year=config["ingest"]["posts"]["year"],
        timezone=config["ingest"]["posts"]["timezone"],
        limits=config["limits"],
    script:
        "../../scripts/ingest_posts.py"


rule ingest_roster:
    input:
        roster=roster_file,
        code=library_code("ingest"),
    output:
        private="private/roster.parquet",
        public="results/ingest/respondents.parquet",
        labels="results/ingest/roster_labels.json",
    log:
        "logs/ingest/roster.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/ingest_roster.py"
