#include <iostream>
#include <memory>

#include "reports/check_docs.hpp"
#include "reports/writers.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/engine/registry.hpp"

namespace adpersist::cli {

namespace {
std::vector<const model::CheckInfo*> all_infos() {
  std::vector<const model::CheckInfo*> v;
  for (const auto& c : engine::CheckRegistry::instance().all()) v.push_back(&c->info());
  return v;
}
}  // namespace

void add_checks_command(CLI::App& app, Action& action) {
  auto* checks = app.add_subcommand("checks", "List the checks or show one check's documentation");
  checks->require_subcommand(1);

  struct ListOpts {
    std::string format = "text";
    bool needs = false;
  };
  auto lo = std::make_shared<ListOpts>();
  auto* list = checks->add_subcommand("list", "List every check");
  list->add_option("--format", lo->format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  list->add_flag("--needs", lo->needs, "Also show the data each check reads (the permissions guide)");
  list->callback([lo, &action] {
    action = [lo] {
      const auto infos = all_infos();
      if (lo->format == "json") {
        model::Json arr = model::Json::array();
        for (const auto* i : infos) arr.push_back(reports::check_json(*i));
        std::cout << reports::dump_json(arr, 2) << "\n";
      } else if (lo->format == "markdown") {
        std::cout << reports::checks_table_markdown(infos);
      } else {
        std::cout << reports::checks_table_text(infos, lo->needs);
      }
      return kExitOk;
    };
  });

  struct ShowOpts {
    std::string id;
    std::string format = "markdown";
  };
  auto so = std::make_shared<ShowOpts>();
  auto* show = checks->add_subcommand("show", "Show one check's documentation");
  show->add_option("id", so->id, "Check id, e.g. ad.rbcd")->required();
  show->add_option("--format", so->format, "markdown or json")->check(CLI::IsMember({"markdown", "json"}));
  show->callback([so, &action] {
    action = [so] {
      const auto* c = engine::CheckRegistry::instance().find(so->id);
      if (!c) {
        print_error("no check has the id '" + so->id + "' (see 'adpersist checks list')");
        return kExitUsage;
      }
      if (so->format == "json")
        std::cout << reports::dump_json(reports::check_json(c->info()), 2) << "\n";
      else
        std::cout << reports::check_markdown(c->info());
      return kExitOk;
    };
  });
}

}  // namespace adpersist::cli
