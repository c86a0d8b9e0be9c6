/*
 * registry.c - every host fact provider, one line each (STYLE.md: one
 * provider, one file, one table entry).  Add a provider by copying
 * facts/template.c and listing it here.
 */
#include <string.h>

#include "facts/facts.h"
#include "util/str.h"

extern const struct bl_provider bl_provider_os;
extern const struct bl_provider bl_provider_file;
extern const struct bl_provider bl_provider_files;
extern const struct bl_provider bl_provider_sysctl;
extern const struct bl_provider bl_provider_sysctl_conf;
extern const struct bl_provider bl_provider_sshd;
extern const struct bl_provider bl_provider_login_defs;
extern const struct bl_provider bl_provider_pam;
extern const struct bl_provider bl_provider_modules;
extern const struct bl_provider bl_provider_mounts;
extern const struct bl_provider bl_provider_fstab;
extern const struct bl_provider bl_provider_kernel;
extern const struct bl_provider bl_provider_packages;
extern const struct bl_provider bl_provider_packages_upgradable;
extern const struct bl_provider bl_provider_services;
extern const struct bl_provider bl_provider_users;
extern const struct bl_provider bl_provider_groups;
extern const struct bl_provider bl_provider_listening;
extern const struct bl_provider bl_provider_processes;
extern const struct bl_provider bl_provider_walk;
extern const struct bl_provider bl_provider_command;
extern const struct bl_provider bl_provider_dir_walk;

const struct bl_provider *const bl_providers[] = {
	&bl_provider_os,
	&bl_provider_file,
	&bl_provider_files,
	&bl_provider_sysctl,
	&bl_provider_sysctl_conf,
	&bl_provider_sshd,
	&bl_provider_login_defs,
	&bl_provider_pam,
	&bl_provider_modules,
	&bl_provider_mounts,
	&bl_provider_fstab,
	&bl_provider_kernel,
	&bl_provider_packages,
	&bl_provider_packages_upgradable,
	&bl_provider_services,
	&bl_provider_users,
	&bl_provider_groups,
	&bl_provider_listening,
	&bl_provider_processes,
	&bl_provider_walk,
	&bl_provider_command,
	&bl_provider_dir_walk,
	NULL,
};

const struct bl_provider *bl_provider_find(const char *name, size_t len)
{
	for (size_t i = 0; bl_providers[i]; i++)
		if (bl_str_ieq(bl_providers[i]->name, strlen(bl_providers[i]->name), name, len))
			return bl_providers[i];
	return NULL;
}
