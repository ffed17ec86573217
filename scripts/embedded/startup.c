/* Startup for bare-metal runs on QEMU's mps2-an386 (Cortex-M4F) with newlib's rdimon
 * semihosting. The vector table at address 0 gives the initial SP and the reset handler; the
 * reset handler turns on the FPU and hands over to rdimon-crt0's _start, which zeroes .bss, asks
 * the host for the heap and stack (SYS_HEAPINFO), opens stdio over semihosting and calls main.
 * Any fault reports a failure to QEMU through semihosting, so a crash ends the run at once with
 * exit status 1 instead of hanging until the timeout.
 */
#include <stdint.h>

extern void _start(void);
extern uint32_t __stack;

void Reset_Handler(void);
void Fault_Handler(void);
/* A harness that times with SysTick (count.c) defines its own handler; elsewhere a tick is a fault. */
void SysTick_Handler(void) __attribute__((weak, alias("Fault_Handler")));

/* SYS_EXIT (0x18) with ADP_Stopped_RunTimeErrorUnknown: QEMU exits with status 1. */
void Fault_Handler(void)
{
    __asm volatile(
        "movs r0, #0x18\n"
        "ldr r1, =0x20023\n"
        "bkpt 0xab\n"
        "1: b 1b\n" ::: "r0", "r1", "memory");
    for (;;) {
    }
}

void Reset_Handler(void)
{
#ifdef __ARM_FP
    /* CPACR: full access to CP10 and CP11 (bits 20-23). Without it the first float instruction
     * faults (UsageFault, escalated to HardFault). */
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20;
    __asm volatile("dsb\n isb" ::: "memory");
#endif
    _start();
    for (;;) {
    }
}

/* Cortex-M vector table: initial SP, then the 15 system exceptions. */
__attribute__((section(".isr_vector"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};
