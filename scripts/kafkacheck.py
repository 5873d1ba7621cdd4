#!/usr/bin/env python3
"""kafkacheck — StockSentry's independent cross-check client.

Written against the topic contract (Schemas/, Schemas/README.md), not against StockSentry's code,
with confluent-kafka (librdkafka's Python client) and jsonschema, so that tests can check the
Swift implementation with a second, unrelated one.

Subcommands (all read and write NDJSON, one JSON object a line):

  produce          produce records {"topic","key","partition","timestamp","value"} to Kafka
                   (acks=all, idempotent); "value" is the payload text as a JSON string.
  consume          read whole topics from the beginning without a consumer group, printing
                   {"topic","partition","offset","key","timestamp","value"} lines.
  validate         validate each record's payload against Schemas/<topic>.schema.json.
  validate-policy  validate a policy file (JSON, or YAML when PyYAML is installed).
  reset-topics     delete and recreate topics on a scratch cluster (the exactly-once crash test
                   against a real broker uses it).

Set up its Python with `scripts/python-env.sh` (prints the venv's python path). Exit status: 0 on
success, 1 on invalid records or delivery errors, 2 on usage or input errors.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
import uuid
from typing import Any, Iterable, Iterator, TextIO

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.join(os.path.dirname(SCRIPT_DIR), "Schemas")


class UsageError(Exception):
    """A problem with the command line or the input file; exit status 2."""


def log(message: str) -> None:
    print(f"kafkacheck: {message}", file=sys.stderr, flush=True)


def open_input(path: str | None) -> TextIO:
    if path is None or path == "-":
        return sys.stdin
    try:
        return open(path, "r", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot open {path}: {error.strerror}") from error


def ndjson_lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """Yields (line number, text) for every non-blank line."""
    for number, line in enumerate(stream, start=1):
        text = line.strip()
        if text:
            yield number, text


def parse_properties(pairs: Iterable[str]) -> dict[str, str]:
    """Parses repeated `-X key=value` librdkafka properties (security.protocol, sasl.*, ssl.*, …)."""
    properties: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-X {pair!r}: expected key=value, e.g. -X security.protocol=SASL_SSL")
        properties[key] = value
    return properties


def parse_topic_map(pairs: Iterable[str]) -> dict[str, str]:
    """Parses `--topic-map role=actual` pairs (e.g. orders=shop.orders) into {role: actual}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        for item in pair.split(","):
            role, sep, actual = item.partition("=")
            if not sep or not role or not actual:
                raise UsageError(f"--topic-map {item!r}: expected role=topic, e.g. orders=shop.orders")
            mapping[role.strip()] = actual.strip()
    return mapping


# --------------------------------------------------------------------------------------- produce

def command_produce(args: argparse.Namespace) -> int:
    from confluent_kafka import KafkaException, Producer

    config: dict[str, Any] = {
        "bootstrap.servers": args.bootstrap,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "message.max.bytes": 8 * 1024 * 1024,
        "client.id": "kafkacheck-produce",
    }
    config.update(parse_properties(args.property))
    topic_map = parse_topic_map(args.topic_map)
    producer = Producer(config)
    failures: list[str] = []
    delivered = 0

    def on_delivery(error: Any, message: Any) -> None:
        nonlocal delivered
        if error is not None:
            failures.append(f"{message.topic()}: {error}")
        else:
            delivered += 1

    produced = 0
    started = time.monotonic()
    with open_input(args.file) as stream:
        for number, text in ndjson_lines(stream):
            try:
                record = json.loads(text)
            except json.JSONDecodeError as error:
                raise UsageError(f"line {number}: not JSON: {error}") from error
            if not isinstance(record, dict) or not isinstance(record.get("topic"), str) or not record["topic"]:
                raise UsageError(f"line {number}: needs a non-empty string \"topic\"")
            topic = topic_map.get(record["topic"], record["topic"])
            key = record.get("key")
            value = record.get("value")
            partition = record.get("partition")
            timestamp = record.get("timestamp")
            if key is not None and not isinstance(key, str):
                raise UsageError(f"line {number}: \"key\" must be a string or null")
            if value is not None and not isinstance(value, str):
                raise UsageError(f"line {number}: \"value\" must be the payload text as a JSON string (or null)")
            if partition is not None and (not isinstance(partition, int) or partition < 0):
                raise UsageError(f"line {number}: \"partition\" must be an integer ≥ 0 or null")
            if timestamp is not None and (not isinstance(timestamp, int) or timestamp < 0):
                raise UsageError(f"line {number}: \"timestamp\" must be epoch milliseconds (integer ≥ 0) or null")
            options: dict[str, Any] = {"on_delivery": on_delivery}
            if key is not None:
                options["key"] = key.encode("utf-8", errors="surrogateescape")
            if value is not None:
                options["value"] = value.encode("utf-8", errors="surrogateescape")
            if partition is not None:
                options["partition"] = partition
            if timestamp is not None:
                options["timestamp"] = timestamp
            while True:
                try:
                    producer.produce(topic, **options)
                    break
                except BufferError:
                    producer.poll(0.1)  # local queue full: serve delivery reports, then retry
                except KafkaException as error:
                    failures.append(f"line {number}: {error}")
                    break
            produced += 1
            producer.poll(0)
            if args.rate:
                due = started + produced / args.rate
                delay = due - time.monotonic()
                if delay > 0:
                    producer.poll(delay)
    remaining = producer.flush(args.flush_timeout)
    if remaining:
        failures.append(f"{remaining} records still undelivered after {args.flush_timeout} s")
    print(f"produced {delivered}", file=sys.stderr, flush=True)
    for failure in failures[:20]:
        log(f"delivery error: {failure}")
    if failures:
        log(f"{len(failures)} delivery errors; {produced} records read, {delivered} delivered")
        return 1
    return 0


# --------------------------------------------------------------------------------------- consume

def decode_text(data: bytes | None) -> tuple[str | None, bool]:
    """Returns (text, exact): exact is False when the bytes were not valid UTF-8."""
    if data is None:
        return None, True
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), False


def command_consume(args: argparse.Namespace) -> int:
    from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_NOT_AVAILABLE, Consumer, KafkaError, TopicPartition

    config: dict[str, Any] = {
        "bootstrap.servers": args.bootstrap,
        # assign() joins no group; librdkafka still wants an id, and nothing is committed.
        "group.id": f"kafkacheck-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "isolation.level": args.isolation,
        "enable.partition.eof": False,
        "fetch.message.max.bytes": 8 * 1024 * 1024,
        "client.id": "kafkacheck-consume",
    }
    config.update(parse_properties(args.property))
    consumer = Consumer(config)
    try:
        assignment: list[TopicPartition] = []
        for topic in args.topic:
            metadata = consumer.list_topics(topic, timeout=args.metadata_timeout)
            topic_metadata = metadata.topics.get(topic)
            if topic_metadata is None or topic_metadata.error is not None or not topic_metadata.partitions:
                reason = topic_metadata.error if topic_metadata is not None else "not in metadata"
                raise UsageError(f"topic {topic}: no partitions ({reason})")
            for partition in sorted(topic_metadata.partitions):
                assignment.append(TopicPartition(topic, partition, OFFSET_BEGINNING))
        consumer.assign(assignment)

        count = 0
        started = time.monotonic()
        last_record = started
        out = sys.stdout
        while True:
            now = time.monotonic()
            if args.max is not None and count >= args.max:
                break
            if args.timeout is not None and now - started >= args.timeout:
                log(f"stopped after --timeout {args.timeout} s")
                break
            if now - last_record >= args.idle_timeout:
                break
            message = consumer.poll(0.2)
            if message is None:
                continue
            if message.error() is not None:
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                if message.error().fatal():
                    raise UsageError(f"consumer error: {message.error()}")
                log(f"consumer error (continuing): {message.error()}")
                continue
            last_record = time.monotonic()
            key, _ = decode_text(message.key())
            value, exact = decode_text(message.value())
            timestamp_type, timestamp = message.timestamp()
            line: dict[str, Any] = {
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "key": key,
                "timestamp": None if timestamp_type == TIMESTAMP_NOT_AVAILABLE else timestamp,
                "value": value,
            }
            if not exact:
                line["value_base64"] = base64.b64encode(message.value()).decode("ascii")
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
        out.flush()
        log(f"consumed {count}")
    finally:
        consumer.close()
    return 0


# -------------------------------------------------------------------------------------- validate

def load_schema(directory: str, name: str) -> Any:
    path = os.path.join(directory, f"{name}.schema.json")
    with open(path, "r", encoding="utf-8") as handle:
        return json.load(handle)


class SchemaSet:
    """Validators by schema name, loaded lazily from one directory."""

    def __init__(self, directory: str) -> None:
        from jsonschema import Draft202012Validator

        if not os.path.isdir(directory):
            raise UsageError(f"--schemas {directory}: not a directory")
        self.directory = directory
        self.validators: dict[str, Any] = {}
        self.validator_class = Draft202012Validator

    def validator(self, name: str) -> Any | None:
        if name not in self.validators:
            try:
                schema = load_schema(self.directory, name)
            except FileNotFoundError:
                self.validators[name] = None
                return None
            self.validator_class.check_schema(schema)
            self.validators[name] = self.validator_class(
                schema, format_checker=self.validator_class.FORMAT_CHECKER)
        return self.validators[name]


def describe_error(error: Any) -> str:
    where = error.json_path if hasattr(error, "json_path") else "$"
    return f"{where}: {error.message}"


def first_error(validator: Any, instance: Any) -> str | None:
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(instance))
    return None if error is None else describe_error(error)


def command_validate(args: argparse.Namespace) -> int:
    schemas = SchemaSet(args.schemas)
    # --topic-map orders=shop.orders: records of topic shop.orders use orders.schema.json.
    schema_of_topic = {actual: role for role, actual in parse_topic_map(args.topic_map).items()}
    total = valid = invalid = 0
    with open_input(args.file) as stream:
        for number, text in ndjson_lines(stream):
            total += 1
            problem: str | None
            where = f"?[?]@line {number}"
            try:
                record = json.loads(text)
            except json.JSONDecodeError as error:
                record, problem = None, f"the NDJSON line is not JSON: {error}"
            else:
                problem = None
            if record is not None:
                if not isinstance(record, dict) or not isinstance(record.get("topic"), str):
                    problem = "the NDJSON line has no string \"topic\""
                else:
                    topic = record["topic"]
                    partition = record.get("partition")
                    offset = record.get("offset")
                    where = (f"{topic}[{'?' if partition is None else partition}]@"
                             f"{offset if offset is not None else f'line {number}'}")
                    schema_name = schema_of_topic.get(topic, topic)
                    validator = schemas.validator(schema_name)
                    value = record.get("value")
                    if validator is None:
                        problem = f"no schema {schema_name}.schema.json in {args.schemas} (use --topic-map)"
                    elif isinstance(value, str):
                        try:
                            payload = json.loads(value)
                        except json.JSONDecodeError as error:
                            problem = f"value is not JSON: {error}"
                        else:
                            problem = first_error(validator, payload)
                    elif isinstance(value, dict):
                        problem = first_error(validator, value)
                    else:
                        problem = "value is missing or not the payload text"
            if problem is None:
                valid += 1
            else:
                invalid += 1
                print(f"INVALID {where}: {problem}")
    print(f"validated {total} records: {valid} valid, {invalid} invalid")
    sys.stdout.flush()
    if args.expect_invalid is not None:
        if invalid != args.expect_invalid:
            log(f"expected exactly {args.expect_invalid} invalid records, found {invalid}")
            return 1
        return 0
    return 1 if invalid else 0


def load_policy_document(path: str) -> Any:
    try:
        with open(path, "r", encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise UsageError(f"policy file {path}: cannot be read: {error.strerror}") from error
    looks_like_json = text.lstrip().startswith("{") and not path.endswith((".yaml", ".yml"))
    if looks_like_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(f"policy file {path}: not valid JSON: {error}") from error
    try:
        import yaml
    except ImportError:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(f"policy file {path}: not JSON, and PyYAML is not installed to read YAML "
                             f"(run scripts/python-env.sh)") from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"policy file {path}: not valid YAML: {error}") from error


def command_validate_policy(args: argparse.Namespace) -> int:
    schemas = SchemaSet(args.schemas)
    validator = schemas.validator("policy")
    if validator is None:
        raise UsageError(f"no policy.schema.json in {args.schemas}")
    document = load_policy_document(args.policy)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        print(f"INVALID {args.policy}: {describe_error(error)}")
    if errors:
        print(f"policy {args.policy}: {len(errors)} errors")
        return 1
    print(f"policy {args.policy}: valid")
    return 0


# ---------------------------------------------------------------------------------------- main

def command_reset_topics(args: argparse.Namespace) -> int:
    """Deletes the topics (when present) and creates them empty: for tests against a scratch cluster."""
    from confluent_kafka.admin import AdminClient, NewTopic

    config = {"bootstrap.servers": args.bootstrap, **parse_properties(args.property)}
    admin = AdminClient(config)
    existing = set(admin.list_topics(timeout=args.timeout).topics)
    doomed = [topic for topic in args.topic if topic in existing]
    if doomed:
        for topic, future in admin.delete_topics(doomed, operation_timeout=args.timeout).items():
            future.result()
        deadline = time.monotonic() + args.timeout
        while set(doomed) & set(admin.list_topics(timeout=args.timeout).topics):
            if time.monotonic() > deadline:
                raise UsageError(f"topics still present {args.timeout} s after deletion: {doomed}")
            time.sleep(0.5)
    while True:
        futures = admin.create_topics([NewTopic(topic, num_partitions=args.partitions, replication_factor=args.replication)
                                       for topic in args.topic], operation_timeout=args.timeout)
        retry = False
        for topic, future in futures.items():
            try:
                future.result()
            except Exception as error:  # a deletion still completing reports TOPIC_ALREADY_EXISTS for a moment
                if "already exists" in str(error).lower() or "marked for deletion" in str(error).lower():
                    retry = True
                else:
                    raise
        if not retry:
            break
        time.sleep(1)
    log(f"reset {len(args.topic)} topics with {args.partitions} partitions")
    return 0


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kafkacheck", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def kafka_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--bootstrap", required=True, help="bootstrap servers, host:port[,host:port]")
        sub.add_argument("-X", "--property", action="append", default=[], metavar="KEY=VALUE",
                         help="extra librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable)")

    produce = commands.add_parser("produce", help="produce NDJSON records to Kafka")
    kafka_options(produce)
    produce.add_argument("--file", default="-", help="NDJSON input; - for stdin (default)")
    produce.add_argument("--rate", type=positive_float, help="pace to this many records per second")
    produce.add_argument("--topic-map", action="append", default=[], metavar="ROLE=TOPIC",
                         help="produce records whose topic is ROLE to TOPIC instead (repeatable)")
    produce.add_argument("--flush-timeout", type=positive_float, default=60.0,
                         help="seconds to wait for outstanding deliveries at the end (default 60)")
    produce.set_defaults(handler=command_produce)

    consume = commands.add_parser("consume", help="read whole topics from the beginning, without a group")
    kafka_options(consume)
    consume.add_argument("--topic", action="append", required=True, help="topic to read (repeatable)")
    consume.add_argument("--isolation", choices=["read_committed", "read_uncommitted"], default="read_committed",
                         help="isolation.level (default read_committed)")
    consume.add_argument("--idle-timeout", type=positive_float, default=3.0,
                         help="stop when no record arrived for this many seconds (default 3)")
    consume.add_argument("--max", type=non_negative_int, help="stop after this many records")
    consume.add_argument("--timeout", type=positive_float, help="stop after this many seconds in all")
    consume.add_argument("--metadata-timeout", type=positive_float, default=10.0,
                         help="seconds to wait for topic metadata (default 10)")
    consume.set_defaults(handler=command_consume)

    validate = commands.add_parser("validate", help="validate NDJSON records against Schemas/")
    validate.add_argument("--schemas", default=DEFAULT_SCHEMAS, help=f"schema directory (default {DEFAULT_SCHEMAS})")
    validate.add_argument("--file", default="-", help="NDJSON input; - for stdin (default)")
    validate.add_argument("--topic-map", action="append", default=[], metavar="SCHEMA=TOPIC",
                          help="validate records of TOPIC with SCHEMA.schema.json, e.g. orders=shop.orders")
    validate.add_argument("--expect-invalid", type=non_negative_int,
                          help="exit 0 iff exactly this many records are invalid")
    validate.set_defaults(handler=command_validate)

    reset = commands.add_parser("reset-topics", help="delete (when present) and create topics; for scratch clusters only")
    kafka_options(reset)
    reset.add_argument("--topic", action="append", required=True, help="topic to reset (repeatable)")
    reset.add_argument("--partitions", type=non_negative_int, default=2, help="partitions per topic (default 2)")
    reset.add_argument("--replication", type=non_negative_int, default=1, help="replication factor (default 1)")
    reset.add_argument("--timeout", type=positive_float, default=30.0, help="seconds per admin operation (default 30)")
    reset.set_defaults(handler=command_reset_topics)

    policy = commands.add_parser("validate-policy", help="validate a policy file (JSON or YAML)")
    policy.add_argument("policy", metavar="FILE")
    policy.add_argument("--schemas", default=DEFAULT_SCHEMAS, help=f"schema directory (default {DEFAULT_SCHEMAS})")
    policy.set_defaults(handler=command_validate_policy)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        log(str(error))
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
