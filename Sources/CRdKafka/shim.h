// The only place StockSentry sees librdkafka's C headers.
//
// No helpers are needed: the variadic rd_kafka_producev is reached through its
// array form rd_kafka_produceva (rd_kafka_vu_t), which Swift can call directly.
#ifndef STOCKSENTRY_CRDKAFKA_SHIM_H
#define STOCKSENTRY_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
