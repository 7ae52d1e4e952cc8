#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Issue 5: a real client. The kernel's own vfio selftests, built from the
# guest kernel's Debian linux-source package at test time
# (tools/vm/build-vfio-selftests), run in one guest: each first alone (the
# baseline), then under `d0audit audit -a -j --record`. Asserts that
#  (a) every selftest passes on its own, and gives exactly the same per-case
#      results (ok / not ok / SKIP lines) and exit status under audit;
#  (b) d0audit reports zero violations, nothing lost or incomplete, exit 0
#      (a correct kernel driven by a correct client);
#  (c) `d0audit check --require` finds in each recording the opens, resets,
#      runtime-PM transitions, zaps, BAR faults and config writes the selftest
#      made (the minimums are derived below from what the tests do).
#
# Selftests run (on the e1000e at 0000:00:03.0, type1 IOMMU; Debian has no
# IOMMUFD, so the iommufd variants are left out with the harness's -v):
#   vfio_pci_device_test            config space, BAR mmaps, MSI/MSI-X, VFIO_DEVICE_RESET
#   vfio_dma_mapping_test           MAP/UNMAP_DMA of anonymous, 2M and 1G hugetlb memory
#                                   (the guest boots with hugepages reserved so nothing skips)
#   vfio_dma_mapping_mmio_test      IOMMU-map a BAR mmap (full, partial, misaligned)
#   vfio_pci_device_init_perf_test  device init/teardown
# Not run: vfio_pci_driver_test ("No driver found": 7.2's libvfio drivers are
# Intel ioat/dsa only), vfio_pci_sriov_uapi_test (the e1000e has no SR-IOV: it
# skips), vfio_iommufd_setup_test (needs IOMMUFD: every case fails on Debian).
#
# usage: tests/vm/test_selftests.sh [--kernel 7.2] [--keep DIR] [--from DIR]
#        (inside the guest: tests/vm/test_selftests.sh --guest)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/vm/lib.sh

dev=0000:00:03.0
type1=(-v vfio_type1_iommu -v vfio_type1v2_iommu)
# name|harness arguments (the BDF is appended)
selftests=(
	"vfio_pci_device_test|"
	"vfio_dma_mapping_test|${type1[*]} $(for v in vfio_type1_iommu vfio_type1v2_iommu; do
		printf -- '-v %s_anonymous -v %s_anonymous_hugetlb_2mb -v %s_anonymous_hugetlb_1gb ' "$v" "$v" "$v"
	done)"
	"vfio_dma_mapping_mmio_test|${type1[*]}"
	"vfio_pci_device_init_perf_test|${type1[*]}"
)

# --- inside the guest ------------------------------------------------------------
if [[ ${1-} == --guest ]]; then
	out=${D0AUDIT_VM_OUT:?run me through tools/vm/run}
	bins=${D0AUDIT_SELFTESTS:?}
	grep -i huge /proc/meminfo >"$out/meminfo"
	for spec in "${selftests[@]}"; do
		t=${spec%%|*}
		read -r -a args <<<"${spec#*|}"
		"$bins/$t" "${args[@]}" "$dev" >"$out/$t.base.out" 2>&1
		echo $? >"$out/$t.base.rc"
		# the wrapper keeps the selftest's own exit status (audit exits with its verdict)
		# shellcheck disable=SC2016 # expanded by that shell
		build/static/d0audit audit -a -j --record "$out/$t.ndjson" -- \
			/bin/sh -c '"$@"; echo $? >"$0"' "$out/$t.audit.selftest.rc" "$bins/$t" "${args[@]}" "$dev" \
			>"$out/$t.audit.json" 2>"$out/$t.audit.out"
		echo $? >"$out/$t.audit.rc"
	done
	exit 0
fi

# --- on the host ------------------------------------------------------------------
vm_test_args "$@"
D0=${D0AUDIT:-build/d0audit}
for f in "$D0" build/static/d0audit; do
	[[ -x $f ]] || { not_ok "$f missing: make && make STATIC=1 build/static/d0audit"; summary selftests; exit 1; }
done

if [[ -z $from ]]; then
	start=$SECONDS
	if ! bins=$(tools/vm/build-vfio-selftests --kernel "$kernel"); then
		not_ok "build the vfio selftests from linux-source for $kernel (see above)"
		summary selftests
		exit 1
	fi
	ok "vfio selftests built from $(cat "$bins/release") linux-source $(cat "$bins/version") ($((SECONDS - start))s)"
	# 1G + 2M hugepages reserved at boot (a gigantic page cannot be allocated
	# later), so the hugetlb cases of vfio_dma_mapping_test run instead of
	# skipping. With --mem 2048 no free 1G-aligned gigabyte is left (ACPI tables
	# sit just below 2G) and the 1G cases skip; 2560 works.
	start=$SECONDS
	if ! D0AUDIT_VM_APPEND="hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=2" \
		tools/vm/run --kernel "$kernel" --mem 2560 --timeout 900 --out "$out" \
		--env D0AUDIT_SELFTESTS="$bins" -- tests/vm/test_selftests.sh --guest; then
		not_ok "guest run on $kernel failed (console: $out/console.log)"
		summary selftests
		exit 1
	fi
	echo "# guest run: $((SECONDS - start))s"
fi

results() { grep -E '^(not )?ok [0-9]+ ' "$1"; } # one TAP line per harness case

for spec in "${selftests[@]}"; do
	t=${spec%%|*}
	if [[ ! -f $out/$t.base.rc || ! -f $out/$t.audit.rc ]]; then
		not_ok "$t: no results in $out"
		continue
	fi
	base=$(results "$out/$t.base.out")
	n=$(grep -c . <<<"$base")
	[[ -n $base ]] || n=0
	skips=$(grep -c '# SKIP' <<<"$base")
	brc=$(cat "$out/$t.base.rc")
	# (a) the baseline: the selftest passes on this kernel and device without d0audit
	if [[ $brc == 0 ]] && ((n > 0)) && ! grep -q '^not ok' <<<"$base"; then
		ok "$t alone: $n cases pass ($skips skipped), exit 0"
	else
		not_ok "$t alone: exit $brc, $n cases: $(grep '^not ok' <<<"$base" | head -3) $(tail -5 "$out/$t.base.out")"
	fi
	# (a) the same results under audit
	src=$(cat "$out/$t.audit.selftest.rc" 2>/dev/null || echo none)
	if [[ $(results "$out/$t.audit.out") == "$base" && $src == "$brc" ]]; then
		ok "$t under audit: the same $n results, exit $src"
	else
		not_ok "$t under audit: exit $src (alone $brc); results differ:"
		diff <(echo "$base") <(results "$out/$t.audit.out") | sed 's/^/#   /' | head -20
	fi
	# (b) no violation, nothing lost, nothing incomplete
	arc=$(cat "$out/$t.audit.rc")
	if [[ $arc == 0 ]] && jq -e 'select(.type == "summary") | .violations == [] and .incomplete == [] and .lost == 0 and .exit_code == 0' \
		"$out/$t.audit.json" >/dev/null 2>&1; then
		ok "$t: d0audit clean (exit 0, no violation, nothing lost)"
	else
		not_ok "$t: d0audit exit $arc: $(grep -v '"type":"summary"' "$out/$t.audit.json" | head -c 600) $(jq -c 'select(.type == "summary") | {violations, incomplete, lost}' "$out/$t.audit.json" 2>/dev/null)"
	fi
	expect_footer_clean "$t: recording complete (produced == delivered, no drops)" "$out/$t.ndjson"

	# (c) what the recording must contain, with N = the number of harness cases:
	#  - every case opens the device in its fixture setup and closes it in the
	#    teardown: open and close >= N;
	#  - vfio_pci_core_enable and vfio_pci_core_disable each reset the function
	#    (pci_pm_reset on the e1000e: no FLR), each seen as >= 1 reset event:
	#    reset >= 2N (7.2: ~9 reset events per open/close pair, entry and exit of
	#    pci_try_reset_function, __pci_reset_function_locked, pci_pm_reset);
	#  - the device idles in D3hot between cases (runtime PM): each open resumes
	#    it, each close lets it suspend: rpm-resume and rpm-suspend >= N.
	req=("open:$dev:$n" "close:$dev:$n" "reset:$dev:$((2 * n))" "rpm-resume:$dev:$n" "rpm-suspend:$dev:$n")
	case $t in
	vfio_pci_device_test)
		# the reset case's VFIO_DEVICE_RESET: zaps the BAR mmaps, then one more
		# reset; config_space_read_write sets and clears PCI_COMMAND_MASTER through
		# the config region: 2 writes in vfio's config emulation (config-write,
		# VFIO_CMD_WRITE) passed on to the device (user-config-write)
		req[2]="reset:$dev:$((2 * n + 1))"
		req+=("zap:$dev:1" "config-write:$dev:2" "user-config-write:$dev:2") ;;
	vfio_dma_mapping_mmio_test)
		# every case IOMMU-maps a BAR mmap: type1 faults the BAR pages in through
		# vfio's fault handler (7.2: 130 faults for 6 cases). Faults in D0 are
		# hot-path events, recorded only with audit -a.
		req+=("fault:$dev:$n") ;;
	esac
	"$D0" check "${req[@]/#/--require=}" "$out/$t.ndjson" >"$out/$t.check.txt" 2>&1
	crc=$?
	if [[ $crc == 0 ]]; then
		ok "$t: check --require ${req[*]}"
	else
		not_ok "$t: check exit $crc: $(grep -E 'require|VIOLATION|error' "$out/$t.check.txt" | grep -v ' met$' | head -8)"
	fi
done
summary selftests
