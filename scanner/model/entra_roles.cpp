#include "scanner/model/entra_roles.hpp"

#include <algorithm>

#include "scanner/util/strings.hpp"

namespace adpersist::model::entra {

const std::vector<ResourceApp>& rated_resources() {
  static const std::vector<ResourceApp> v = {
      {kMicrosoftGraphAppId, "Microsoft Graph"},
      {kExchangeOnlineAppId, "Office 365 Exchange Online"},
      {kSharePointOnlineAppId, "Office 365 SharePoint Online"},
      {"00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory"},
      {"c5393580-f805-4401-95e8-94b7a6ef2fc2", "Office 365 Management APIs"},
  };
  return v;
}

const ResourceApp* rated_resource(std::string_view app_id) {
  for (const auto& r : rated_resources())
    if (util::iequals(r.app_id, app_id)) return &r;
  return nullptr;
}

const std::vector<RatedRole>& rated_roles() {
  constexpr auto G = kMicrosoftGraphAppId;
  constexpr auto X = kExchangeOnlineAppId;
  constexpr auto S = kSharePointOnlineAppId;
  constexpr auto AAD = std::string_view("00000002-0000-0000-c000-000000000000");
  constexpr auto C = RoleTier::critical;
  constexpr auto D = RoleTier::data_access;
  // A role id left empty is not in the reference tables: matched by value only.
  static const std::vector<RatedRole> v = {
      // Tenant control (ScubaGear "Critical", Mandiant "control")
      {G, "RoleManagement.ReadWrite.Directory", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", C,
       "can assign any directory role, Global Administrator included, to anyone"},
      {G, "AppRoleAssignment.ReadWrite.All", "06b708a9-e830-4db3-a914-8e69da51d44f", C,
       "can grant itself or any app any application permission"},
      {G, "Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", C,
       "can add credentials to any application or service principal and act as it"},
      {G, "Directory.ReadWrite.All", "19dbc75e-c2e2-444c-a770-ec69d8559fc7", C,
       "can modify users, groups and most directory objects"},
      {G, "Domain.ReadWrite.All", "7e05723c-0bb0-42da-be95-ae9f08a6e53c", C,
       "can add domains and federate them to an identity provider it controls"},
      {G, "Policy.ReadWrite.ConditionalAccess", "01c0a623-fc9b-48e9-b794-0756f8e8f067", C,
       "can disable or exempt itself from Conditional Access"},
      {G, "UserAuthenticationMethod.ReadWrite.All", "50483e42-d915-4231-9639-7fdb7fd190e5", C,
       "can register authentication methods (TAP, phone, FIDO2) on any user"},
      {G, "DelegatedPermissionGrant.ReadWrite.All", "8e8e4742-1d95-4f68-9d56-6ee75648c72a", C,
       "can consent any delegated permission for all users"},
      {G, "Policy.ReadWrite.PermissionGrant", "a402ca1c-2696-4531-972d-6e5ee4aa11ea", C,
       "can change who may consent to what"},
      {G, "Organization.ReadWrite.All", "292d869f-3427-49a8-9dab-8c70152b74e9", C,
       "can change tenant-wide organization settings"},
      {G, "User.ReadWrite.All", "741f803b-c850-494e-b5df-cde7c675a1ca", C, "can modify every user"},
      {G, "IdentityProvider.ReadWrite.All", "90db2b9a-d928-4d33-a4dd-8442ae3d41e4", C,
       "can add identity providers"},
      {G, "Policy.ReadWrite.AuthenticationMethod", "29c18626-4985-4dcd-85c0-193eef327366", C,
       "can change the authentication methods policy"},
      {G, "Policy.ReadWrite.Authorization", "fb221be6-99f2-473f-bd32-01c6a0e9ca3b", C,
       "can change the authorization policy"},
      {G, "RoleAssignmentSchedule.ReadWrite.Directory", "dd199f4a-f148-40a4-a2ec-f0069cc799ec", C,
       "can create active role assignments through PIM"},
      {G, "RoleEligibilitySchedule.ReadWrite.Directory", "fee28b28-e1f3-4841-818e-2704dc62245f", C,
       "can create eligible role assignments through PIM"},
      {G, "OnPremDirectorySynchronization.ReadWrite.All", "c22a92cc-79bf-4bb1-8b6c-e0a05d3d80ce", C,
       "can change directory synchronization settings"},
      {G, "UserAuthMethod-TAP.ReadWrite.All", "627169a8-8c15-451c-861a-5b80e383de5c", C,
       "can issue Temporary Access Passes"},
      {G, "DelegatedAdminRelationship.ReadWrite.All", "cc13eba4-8cd8-44c6-b4d4-f93237adce58", C,
       "can manage delegated admin (GDAP) relationships"},
      {AAD, "Directory.ReadWrite.All", "", C,
       "legacy Azure AD Graph: can modify most directory objects"},
      {AAD, "Application.ReadWrite.All", "", C,
       "legacy Azure AD Graph: can add credentials to any application"},
      {AAD, "Domain.ReadWrite.All", "", C,
       "legacy Azure AD Graph: can add and federate domains"},
      // Tenant-wide data access (the Mimecast exposure)
      {G, "Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01", D, "reads every mailbox"},
      {G, "Mail.ReadWrite", "e2a3a72e-5f79-4c64-b1b1-878b674786c9", D, "reads and changes every mailbox"},
      {G, "Mail.ReadBasic.All", "", D, "reads mail metadata of every mailbox"},
      {G, "Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96", D, "sends mail as any user"},
      {G, "MailboxSettings.ReadWrite", "6931bccd-447a-43d1-b442-00a195474933", D,
       "changes any mailbox's settings (forwarding rules)"},
      {G, "Files.Read.All", "01d4889c-1287-42c6-ac1f-5d1e02578ef6", D, "reads every user's files"},
      {G, "Files.ReadWrite.All", "75359482-378d-4052-8f01-80520e7db3cd", D, "reads and changes every user's files"},
      {G, "Sites.Read.All", "332a536c-c7ef-4017-ab91-336970924f0d", D, "reads every SharePoint site"},
      {G, "Sites.ReadWrite.All", "9492366f-7969-46a4-8d15-ed1a20078fff", D, "changes every SharePoint site"},
      {G, "Sites.FullControl.All", "a82116e5-55eb-4c41-a434-62fe8a61c773", D, "full control of every site"},
      {G, "Chat.Read.All", "6b7d71aa-70aa-4810-a8d9-5d9fb2830017", D, "reads every Teams chat"},
      {G, "ChannelMessage.Read.All", "7b2449af-6ccd-4f4d-9f78-e550c193f0d1", D, "reads every Teams channel message"},
      {G, "Notes.Read.All", "3aeca27b-ee3a-4c2b-8ded-80376e2134a4", D, "reads every OneNote notebook"},
      {X, "full_access_as_app", "dc890d15-9560-4a4c-9b7f-a736ec74ec40", D,
       "full access to every mailbox through EWS (the Mimecast exposure)"},
      {X, "Exchange.ManageAsApp", "dc50a0fb-09a3-484d-be87-e023b12c6440", D,
       "Exchange administration as an application"},
      {X, "Mail.Read", "", D, "reads every mailbox (Exchange resource)"},
      {X, "Mail.ReadWrite", "", D, "reads and changes every mailbox (Exchange resource)"},
      {X, "Mail.Send", "", D, "sends mail as any user (Exchange resource)"},
      {S, "Sites.FullControl.All", "678536fe-1083-478a-9c59-b99265e6b0d3", D, "full control of every site"},
      {S, "Sites.ReadWrite.All", "", D, "changes every SharePoint site"},
      {S, "Sites.Read.All", "", D, "reads every SharePoint site"},
  };
  return v;
}

const RatedRole* rate_app_role(std::string_view resource_app_id, std::string_view value) {
  for (const auto& r : rated_roles())
    if (util::iequals(r.resource_app_id, resource_app_id) && util::iequals(r.value, value)) return &r;
  return nullptr;
}

const std::vector<DirectoryRoleInfo>& privileged_directory_roles() {
  static const std::vector<DirectoryRoleInfo> v = {
      {"62e90394-69f5-4237-9190-012177145e10", "Global Administrator", true},
      {"e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator", true},
      {"7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator", true},
      {"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator", true},
      {"158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator", true},
      {"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator", true},
      {"be2f45a1-457d-42af-a067-6ec1fa63bc45", "External Identity Provider Administrator", true},
      {"d29b2b05-8046-44ba-8758-1e26182fcf32", "Directory Synchronization Accounts", true},
      {"e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8", "Partner Tier2 Support", true},
      {"194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator", false},
      {"29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", false},
      {"f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", false},
      {"fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", false},
      {"c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator", false},
      {"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", false},
      {"729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", false},
      {"966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator", false},
      {"3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator", false},
  };
  return v;
}

const DirectoryRoleInfo* privileged_directory_role(std::string_view template_id) {
  for (const auto& r : privileged_directory_roles())
    if (util::iequals(r.template_id, template_id)) return &r;
  return nullptr;
}

bool is_risky_delegated_scope(std::string_view scope) {
  static constexpr std::string_view kExact[] = {
      "Directory.AccessAsUser.All", "Directory.ReadWrite.All", "User.ReadWrite.All", "EWS.AccessAsUser.All",
      "full_access_as_user", "RoleManagement.ReadWrite.Directory", "Application.ReadWrite.All",
      "AppRoleAssignment.ReadWrite.All", "Chat.Read", "Chat.ReadWrite", "Notes.Read.All", "Notes.ReadWrite.All",
      "MailboxSettings.ReadWrite", "Sites.FullControl.All", "IMAP.AccessAsUser.All", "POP.AccessAsUser.All",
      "SMTP.Send"};
  for (auto s : kExact)
    if (util::iequals(s, scope)) return true;
  // Mail.*, Files.*, Sites.*: any mail, file or site scope reaches every consenting user's data.
  for (std::string_view p : {"Mail.", "Files.", "Sites."})
    if (util::istarts_with(scope, p)) return true;
  return false;
}

}  // namespace adpersist::model::entra
