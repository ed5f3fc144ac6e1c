// libFuzzer target: a Microsoft Graph response body, as the live collector (Collector::page, respond) and the
// capture reader (read_capture) receive it:
//  - next_link_of, the SAX pass that takes the top-level @odata.nextLink, then same_origin on it;
//  - for_each_item, the streaming page reader, with every item put through each converter of
//    graph_objects.cpp (to_application ... to_organization) and the results added to a TenantBuilder, which
//    is finished and read back (indexes, privileged_applications);
//  - parse_graph_error, which reads the body of a refused request.
// Properties checked on every input:
//  - next_link_of agrees with a DOM parse of the same bytes: when the body is a JSON object, the link is its
//    top-level "@odata.nextLink" string, or "" when it has none;
//  - a link same_origin lets the collector follow (with the bearer token) goes to the Graph host: libcurl,
//    which sends the request, parses it as https, host graph.microsoft.com, port 443, no user info;
//  - for_each_item hands out items 0, 1, 2, ... and returns how many; when it succeeds, a DOM parse of the
//    same bytes succeeds and its items are exactly the objects of "value" (every page's, for an array of
//    pages; the object itself when there is no "value"), in order; when the DOM has that shape, no page has
//    "value" twice (the DOM keeps only the last) and it nests at most kMaxJsonDepth containers, it succeeds;
//  - a converted object keeps its origin, its ids are lower-case, and it has one credential or app role per
//    element of the Graph array; a conversion error names the file and item (Origin::where());
//  - the finished tenant holds every converted object, and its id indexes find them.
#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/model/tenant.hpp"
#include "scanner/sources/graph/collector.hpp"
#include "scanner/sources/graph/graph_objects.hpp"
#include "scanner/sources/graph/http.hpp"
#include "scanner/util/strings.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/json_depth.hpp"

using namespace adpersist;
using namespace adpersist::sources::graph;
namespace entra = adpersist::model::entra;

namespace {

constexpr std::string_view kRoot = "https://graph.microsoft.com";

bool is_lower(const std::string& s) {
  return s == util::to_lower(s);
}

// The items for_each_item must hand out for a parsed document, or nullopt when the shape is not a Graph
// response body (the capture contract in graph_objects.hpp).
std::optional<std::vector<const GJson*>> expected_items(const GJson& doc) {
  std::vector<const GJson*> out;
  auto page = [&out](const GJson& p) -> bool {
    auto v = p.find("value");
    if (v == p.end()) return false;
    if (v->is_object()) {
      out.push_back(&*v);
      return true;
    }
    if (!v->is_array()) return false;
    for (const auto& item : *v) {
      if (!item.is_object()) return false;
      out.push_back(&item);
    }
    return true;
  };
  if (doc.is_object()) {
    if (!doc.contains("value")) return std::vector<const GJson*>{&doc};
    if (!page(doc)) return std::nullopt;
    return out;
  }
  if (!doc.is_array()) return std::nullopt;
  for (const auto& p : doc)
    if (!p.is_object() || !page(p)) return std::nullopt;
  return out;
}

// Whether a page object (the top-level object, or an element of a top-level array) has "value" twice.
bool duplicate_value(const std::string& body) {
  using E = GJson::parse_event_t;
  int top = -1, values = 0;
  bool twice = false;
  GJson::parser_callback_t cb = [&](int depth, E ev, GJson& parsed) -> bool {
    if (depth == 0 && ev == E::object_start) top = 0;
    if (depth == 0 && ev == E::array_start) top = 1;
    if (top == 1 && depth == 1 && ev == E::object_start) values = 0;
    if (ev == E::key && depth == top + 1 && parsed == "value" && ++values > 1) twice = true;
    return true;
  };
  const GJson dom = GJson::parse(body, cb, /*allow_exceptions=*/false);
  return twice && !dom.is_discarded();
}

// Where libcurl would send a request for `url`: "scheme://host:port user", or "" when it does not parse.
std::string curl_target(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
  auto part = [&u](CURLUPart what, unsigned int flags) {
    char* p = nullptr;
    std::string out;
    if (curl_url_get(u.get(), what, &p, flags) == CURLUE_OK && p) out = p;
    curl_free(p);
    return out;
  };
  return util::to_lower(part(CURLUPART_SCHEME, 0) + "://" + part(CURLUPART_HOST, 0) + ":" +
                        part(CURLUPART_PORT, CURLU_DEFAULT_PORT) + " " + part(CURLUPART_USER, 0) +
                        part(CURLUPART_PASSWORD, 0) + part(CURLUPART_OPTIONS, 0));
}

template <class T>
void check_error(const Result<T>& r, const entra::Origin& o) {
  if (!r) FUZZ_CHECK(r.error().context.rfind(o.where(), 0) == 0);
}

std::size_t array_size(const GJson& item, const char* key) {
  auto it = item.find(key);
  return it != item.end() && it->is_array() ? it->size() : 0;
}

struct Counts {
  std::size_t apps = 0, sps = 0, domains = 0, grants = 0, role_defs = 0, role_assignments = 0, audits = 0;
};

void convert(const GJson& item, const entra::Origin& o, entra::TenantBuilder& b, Counts& n) {
  if (auto a = to_application(item, o); a) {
    FUZZ_CHECK(a->origin.file == o.file && a->origin.index == o.index);
    FUZZ_CHECK(is_lower(a->id) && is_lower(a->app_id));
    FUZZ_CHECK(a->keys.size() == array_size(item, "keyCredentials"));
    FUZZ_CHECK(a->passwords.size() == array_size(item, "passwordCredentials"));
    for (const auto& k : a->keys) (void)k.thumbprint();
    b.add(std::move(a.value()));
    ++n.apps;
  } else {
    check_error(a, o);
  }
  if (auto s = to_service_principal(item, o); s) {
    FUZZ_CHECK(is_lower(s->id) && is_lower(s->app_id) && is_lower(s->owner_org));
    FUZZ_CHECK(s->keys.size() == array_size(item, "keyCredentials"));
    FUZZ_CHECK(s->app_roles.size() == array_size(item, "appRoles"));
    b.add(std::move(s.value()));
    ++n.sps;
  } else {
    check_error(s, o);
  }
  if (auto d = to_domain(item, o); d) {
    FUZZ_CHECK(is_lower(d->id));
    b.add(std::move(d.value()));
    ++n.domains;
  } else {
    check_error(d, o);
  }
  if (auto g = to_oauth2_permission_grant(item, o); g) {
    b.add(std::move(g.value()));
    ++n.grants;
  } else {
    check_error(g, o);
  }
  if (auto r = to_role_definition(item, o); r) {
    FUZZ_CHECK(is_lower(r->id) && is_lower(r->template_id));
    b.add(std::move(r.value()));
    ++n.role_defs;
  } else {
    check_error(r, o);
  }
  if (auto r = to_role_assignment(item, o); r) {
    FUZZ_CHECK(is_lower(r->principal_id) && is_lower(r->role_definition_id));
    if (r->principal) FUZZ_CHECK(is_lower(r->principal->id));
    b.add(std::move(r.value()));
    ++n.role_assignments;
  } else {
    check_error(r, o);
  }
  if (auto a = to_directory_audit(item, o); a) {
    FUZZ_CHECK(a->targets.size() == array_size(item, "targetResources"));
    (void)a->actor();
    b.add(std::move(a.value()));
    ++n.audits;
  } else {
    check_error(a, o);
  }
  if (auto org = to_organization(item, o); org) {
    for (const auto& d : org->verified_domains) FUZZ_CHECK(!d.empty() && is_lower(d));
    b.set_organization(std::move(org.value()));
  } else {
    check_error(org, o);
  }
  // The per-object collections, each under its own parent id.
  const std::string parent = "p" + std::to_string(o.index);
  if (auto a = to_app_role_assignment(item, o); a) {
    FUZZ_CHECK(is_lower(a->principal_id) && is_lower(a->resource_id) && is_lower(a->app_role_id));
    b.set_app_role_assigned_to(parent, {std::move(a.value())});
  } else {
    check_error(a, o);
  }
  if (auto f = to_federated_identity_credential(item, o); f) {
    FUZZ_CHECK(f->audiences.size() == array_size(item, "audiences"));
    b.set_federated_identity_credentials(parent, {std::move(f.value())});
  } else {
    check_error(f, o);
  }
  if (auto d = to_directory_object(item, o); d) {
    FUZZ_CHECK(is_lower(d->id) && is_lower(d->app_id));
    b.set_owners(parent, {std::move(d.value())});
  } else {
    check_error(d, o);
  }
  if (auto f = to_federation_configuration(item, o, "Contoso.COM"); f) {
    FUZZ_CHECK(f->domain_id == "contoso.com");
    b.set_federation(parent, {std::move(f.value())});
  } else {
    check_error(f, o);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const GJson doc = GJson::parse(body, nullptr, /*allow_exceptions=*/false);

  // @odata.nextLink, as Collector::page takes it before reading the items.
  const std::string next = next_link_of(body);
  if (doc.is_object()) {
    auto it = doc.find("@odata.nextLink");
    if (it != doc.end() && it->is_string())
      FUZZ_CHECK(next == it->get_ref<const std::string&>());
    else if (it == doc.end())
      FUZZ_CHECK(next.empty());
  }
  if (same_origin(std::string(kRoot), next)) {
    FUZZ_CHECK(util::istarts_with(next, std::string(kRoot) + "/v1.0/"));
    const std::string target = curl_target(next);
    FUZZ_CHECK(target.empty() || target == "https://graph.microsoft.com:443 ");
  }

  // The items, converted as they stream by.
  const std::string file = "fuzz/page.json";
  entra::TenantBuilder b;
  Counts n;
  std::size_t calls = 0;
  std::vector<GJson> seen;
  std::istringstream in(body);
  auto count = for_each_item(in, file, [&](const GJson& item, std::size_t i) -> Status {
    FUZZ_CHECK(i == calls);
    ++calls;
    seen.push_back(item);
    b.saw_properties(model::Dataset::applications, property_names(item));
    convert(item, entra::Origin{file, i}, b, n);
    return ok_status();
  });
  const bool twice = duplicate_value(body);
  const auto expected = doc.is_discarded() || twice ? std::nullopt : expected_items(doc);
  if (count) {
    FUZZ_CHECK(count.value() == calls);
    FUZZ_CHECK(json_depth(body) <= static_cast<std::size_t>(kMaxJsonDepth));
    FUZZ_CHECK(!doc.is_discarded() && !twice);
    FUZZ_CHECK(expected.has_value() && expected->size() == calls);
    for (std::size_t i = 0; i < calls; ++i) FUZZ_CHECK(seen[i] == *(*expected)[i]);
  } else {
    FUZZ_CHECK(count.error().context == file);  // errors name the body
    // Every well-formed page is read, unless it nests too deep.
    FUZZ_CHECK(!expected.has_value() || json_depth(body) > static_cast<std::size_t>(kMaxJsonDepth));
  }

  b.saw_collection(model::Dataset::applications, calls);
  const entra::Tenant t = std::move(b).finish();
  FUZZ_CHECK(t.applications().size() == n.apps && t.service_principals().size() == n.sps);
  FUZZ_CHECK(t.domains().size() == n.domains && t.oauth2_permission_grants().size() == n.grants);
  FUZZ_CHECK(t.role_definitions().size() == n.role_defs && t.role_assignments().size() == n.role_assignments);
  FUZZ_CHECK(t.directory_audits().size() == n.audits);
  for (const auto& a : t.applications())
    if (!a.id.empty()) FUZZ_CHECK(t.app_by_id(a.id) && t.app_by_id(a.id)->id == a.id);
  for (const auto& s : t.service_principals())
    if (!s.id.empty()) FUZZ_CHECK(t.sp_by_id(s.id) && t.sp_by_id(s.id)->id == s.id);
  (void)entra::privileged_applications(t);
  (void)t.display_name();

  // The same bytes as the body of a refused request.
  if (auto e = parse_graph_error(body)) (void)(e->code.size() + e->request_id.size() + e->inner_code.size());
  return 0;
}
