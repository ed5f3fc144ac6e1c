// X.509 certificates as AD stores them (cACertificate, userCertificate: one DER certificate per value). Pure,
// no I/O; decoding is OpenSSL's (d2i_X509), wrapped so that no OpenSSL type or error queue leaks out.
// Nothing here carries key material: only names, serial, hashes of the whole certificate and key size.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scanner/parsers/ad_time.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::parsers {

struct X509Info {
  int version = 0;      // 1, 2 or 3
  std::string subject;  // RFC 4514 order, most specific first: "CN=Lab Root CA,DC=adpersist,DC=test"
  std::string issuer;
  std::string serial;  // upper-case hex of the serial's DER content octets, as Windows prints it
  std::string sha1;    // upper-case hex SHA-1 of the DER: the Windows "thumbprint"
  std::string sha256;  // upper-case hex SHA-256 of the DER
  TimePoint not_before{}, not_after{};
  bool self_issued = false;                  // subject == issuer (a root, or a CA pretending to be one)
  std::optional<bool> basic_constraints_ca;  // cA of basicConstraints; empty when the extension is absent
  std::string key_algorithm;  // "rsaEncryption", "id-ecPublicKey", ... (empty when OpenSSL cannot name it)
  int key_bits = 0;           // 0 when not derivable
  std::string signature_algorithm;  // "sha256WithRSAEncryption", ...

  // Valid at `t` (notBefore <= t <= notAfter).
  bool valid_at(TimePoint t) const { return not_before <= t && t <= not_after; }
};

// Decodes exactly one DER certificate: the value must be a complete certificate with no trailing bytes.
// Errors (invalid_input) say what is wrong; the caller adds which object and attribute held the value.
Result<X509Info> parse_x509_der(std::string_view der);

// Upper-case hex SHA-1 of any bytes: the thumbprint of a value even when it does not decode.
std::string sha1_thumbprint(std::string_view bytes);

}  // namespace adpersist::parsers
