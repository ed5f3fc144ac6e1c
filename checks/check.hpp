// Everything a check file needs. A check is one class in one file under checks/<platform>/, registered
// with ADPERSIST_REGISTER_CHECK; adding a check touches that file and its test only.
#pragma once

#include "scanner/engine/check.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/model/privilege.hpp"
#include "scanner/model/snapshot.hpp"

#define ADPERSIST_CONCAT_INNER(a, b) a##b
#define ADPERSIST_CONCAT(a, b) ADPERSIST_CONCAT_INNER(a, b)
// Defines a namespace-scope registrar whose constructor hands a factory to the registry.
#define ADPERSIST_REGISTER_CHECK(CheckClass)                                                          \
  namespace {                                                                                         \
  const struct ADPERSIST_CONCAT(Registrar, CheckClass) {                                              \
    ADPERSIST_CONCAT(Registrar, CheckClass)() {                                                       \
      ::adpersist::engine::CheckRegistry::instance().add([] { return std::make_unique<CheckClass>(); }); \
    }                                                                                                 \
  } ADPERSIST_CONCAT(kRegistrar, CheckClass);                                                         \
  }
